import { QuiverError, QuiverErrorCode } from '@quiver/core';

/**
 * Checks shared by the internal converters when they decode: what proto3 lets through but the
 * model cannot hold (an enum value this build does not know, an unset sub-message) is
 * rejected as BAD_REQUEST, naming the package and field.
 */

export function malformed(protoPackage: string, what: string): QuiverError {
  return new QuiverError(QuiverErrorCode.BadRequest, `malformed ${protoPackage} message: ${what}`);
}

/** reverseTable inverts an encoding table (model value to wire value) for decoding. */
export function reverseTable<K extends string, V>(forward: Readonly<Record<K, V>>): ReadonlyMap<V, K> {
  return new Map(Object.entries(forward).map(([key, value]) => [value as V, key as K]));
}

export function decodedEnum<V, K>(table: ReadonlyMap<V, K>, value: V, protoPackage: string, field: string): K {
  const result = table.get(value);
  if (result === undefined) throw malformed(protoPackage, `${field} ${String(value)} is not a known value`);
  return result;
}

export function present<T>(value: T | undefined, protoPackage: string, field: string): T {
  if (value === undefined) throw malformed(protoPackage, `${field} is missing`);
  return value;
}
