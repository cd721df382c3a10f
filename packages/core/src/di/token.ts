import type { InjectionToken } from 'tsyringe';

/** A tsyringe injection token that remembers the type it resolves to (tsyringe's own tokens are untyped symbols). */
export type Token<T> = InjectionToken<T> & symbol & { readonly __resolves?: T };

export function token<T>(name: string): Token<T> {
  return Symbol(name) as Token<T>;
}
