/** jslib.k6.io/url: the WHATWG URL classes, which Node has built in. */
const { URL, URLSearchParams } = globalThis;
export { URL, URLSearchParams };
export default { URL, URLSearchParams };
