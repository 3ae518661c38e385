/**
 * Simulated remote services the summary endpoint calls (loyalty, recommendations, shipping). They are
 * timers, not database queries, because they stand for network calls: they cost wall time, not CPU,
 * and they are independent of each other. Answers are deterministic in the customer id.
 */

export const DOWNSTREAM_DELAY_MS = { loyalty: 12, recommendations: 15, shipping: 18 } as const;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface LoyaltyStatus {
  points: number;
  level: 'bronze' | 'silver' | 'gold';
}

export async function fetchLoyaltyStatus(customerId: number): Promise<LoyaltyStatus> {
  await sleep(DOWNSTREAM_DELAY_MS.loyalty);
  const points = (customerId * 7919) % 10_000;
  return { points, level: points > 7000 ? 'gold' : points > 3000 ? 'silver' : 'bronze' };
}

export async function fetchRecommendations(customerId: number): Promise<string[]> {
  await sleep(DOWNSTREAM_DELAY_MS.recommendations);
  return [1, 2, 3].map((k) => `SKU-${String((customerId * 31 + k * 977) % 5000).padStart(5, '0')}`);
}

export interface ShippingEstimate {
  carrier: string;
  days: number;
}

export async function fetchShippingEstimate(customerId: number): Promise<ShippingEstimate> {
  await sleep(DOWNSTREAM_DELAY_MS.shipping);
  const carriers = ['DHL', 'UPS', 'FedEx', 'PostNL'];
  return { carrier: carriers[customerId % carriers.length]!, days: 1 + (customerId % 5) };
}
