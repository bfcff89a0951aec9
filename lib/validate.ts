// Argument checks, run before any native call. Messages follow one pattern:
// "expected <what> for <parameter> but received <value>" (TypeError for the wrong type,
// RangeError for a wrong value), so a caller always learns which argument was wrong and why.

/** A short, safe description of any value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return `function ${value.name || '(anonymous)'}`;
    default: {
      const name = (value as object).constructor?.name;
      if (Array.isArray(value)) return `an array of length ${value.length}`;
      return name ? `an instance of ${name}` : 'an object';
    }
  }
}

export function typeError(what: string, name: string, value: unknown): TypeError {
  return new TypeError(`expected ${what} for ${name} but received ${describe(value)}`);
}

export function rangeError(what: string, name: string, value: unknown): RangeError {
  return new RangeError(`expected ${what} for ${name} but received ${describe(value)}`);
}

function checkNumber(value: unknown, name: string, what: string): asserts value is number {
  if (typeof value !== 'number') throw typeError(what, name, value);
}

/** An integer ≥ 1 that is a safe integer. */
export function positiveInteger(value: unknown, name: string): number {
  checkNumber(value, name, 'a positive integer');
  if (!Number.isSafeInteger(value) || value < 1) throw rangeError('a positive integer', name, value);
  return value;
}

/** An integer ≥ 0 that is a safe integer. */
export function nonNegativeInteger(value: unknown, name: string): number {
  checkNumber(value, name, 'a non-negative integer');
  if (!Number.isSafeInteger(value) || value < 0) throw rangeError('a non-negative integer', name, value);
  return value;
}

/** An integer in [min, max]. */
export function integerInRange(value: unknown, name: string, min: number, max: number): number {
  const what = `an integer from ${min} to ${max}`;
  checkNumber(value, name, what);
  if (!Number.isInteger(value) || value < min || value > max) throw rangeError(what, name, value);
  return value;
}

export function booleanValue(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw typeError('a boolean', name, value);
  return value;
}

export function nonEmptyString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw typeError('a string', name, value);
  if (value.length === 0) throw rangeError('a non-empty string', name, value);
  return value;
}

/** undefined, or a plain options object. */
export function optionsObject<T extends object>(value: unknown, name: string): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw typeError('an object', name, value);
  return value as Partial<T>;
}

export function isArrayBufferView(value: unknown): value is ArrayBufferView {
  return ArrayBuffer.isView(value);
}

/** A timeout: a positive integer of milliseconds, or -1 for no limit. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;
export function timeoutValue(value: unknown, name = 'timeoutMs'): number {
  const what = 'a positive integer or -1';
  checkNumber(value, name, what);
  if (value === -1) return -1;
  if (!Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) throw rangeError(what, name, value);
  return value;
}
