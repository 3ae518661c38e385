import { connect, type Socket } from 'node:net';
import { NdjsonSplitter, toLine } from './ndjson.js';
import type { AgentMessage, CommandMessage } from './protocol.js';

/** Beyond this many unsent bytes, non-critical messages are dropped rather than queued. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * The agent's end of the unix socket. Runs inside the user's service, so: the socket is unref'd
 * (never keeps the service alive), every error only disables the channel, and a slow collector
 * costs dropped messages (counted), never unbounded memory.
 */
export class AgentChannel {
  private socket: Socket | null = null;
  private open = false;
  /** Messages dropped because the collector was not keeping up or was gone. */
  dropped = 0;

  constructor(
    private readonly socketPath: string,
    private readonly onCommand: (command: CommandMessage) => void,
    private readonly onClose: () => void,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  /** Resolves true once connected, false when the collector cannot be reached. Never rejects. */
  connect(): Promise<boolean> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (ok: boolean) => {
        if (!settled) {
          settled = true;
          resolve(ok);
        }
      };
      try {
        const splitter = new NdjsonSplitter((m) => this.receive(m), 1024 * 1024);
        const socket = connect(this.socketPath);
        this.socket = socket;
        socket.unref();
        socket.on('connect', () => {
          this.open = true;
          settle(true);
        });
        socket.on('data', (chunk: Buffer) => {
          try {
            splitter.push(chunk);
          } catch {
            /* a bad command line must not hurt the service */
          }
        });
        socket.on('error', () => settle(false));
        socket.on('close', () => {
          const wasOpen = this.open;
          this.open = false;
          this.socket = null;
          settle(false);
          if (wasOpen) this.safeOnClose();
        });
      } catch {
        settle(false);
      }
    });
  }

  /** Sends one message. `critical` (replies, hello) bypasses the back-pressure drop. */
  send(message: AgentMessage, critical = false): boolean {
    const socket = this.socket;
    if (!this.open || socket === null) {
      this.dropped++;
      return false;
    }
    try {
      if (!critical && socket.writableLength > MAX_BUFFERED_BYTES) {
        this.dropped++;
        return false;
      }
      socket.write(toLine(message));
      return true;
    } catch {
      this.dropped++;
      return false;
    }
  }

  close(): void {
    try {
      this.socket?.destroy();
    } catch {
      /* already gone */
    }
  }

  private receive(message: unknown): void {
    const m = message as Partial<CommandMessage> | null;
    if (m && m.type === 'command' && typeof m.id === 'number' && typeof m.name === 'string') {
      this.onCommand(m as CommandMessage);
    }
  }

  private safeOnClose(): void {
    try {
      this.onClose();
    } catch {
      /* never propagate into the service */
    }
  }
}
