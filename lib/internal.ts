// Dependent objects have no public constructors (factories on their parent create them); this
// token is how lib/ proves a construction is its own.
export const INTERNAL: unique symbol = Symbol('ascendcl.internal');

export function assertInternal(token: unknown, className: string): void {
  if (token !== INTERNAL) {
    throw new TypeError(`${className} objects are created by the API (for example device.alloc()), not with new`);
  }
}
