/**
 * Function references as the Lambda API accepts them in `FunctionName`: a name (`my-function`), a partial ARN
 * (`000000000000:function:my-function`) or a full ARN, each optionally with a qualifier (`:$LATEST`, `:prod`).
 */
import { LOCAL_ACCOUNT_ID } from '../protocol';

export function functionArn(region: string, name: string): string {
  return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${name}`;
}

export interface FunctionReference {
  readonly name: string;
  readonly qualifier?: string;
  readonly region?: string;
}

const FULL = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9_$-]+))?$/;
const PARTIAL = /^\d{12}:function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9_$-]+))?$/;
const NAME = /^([A-Za-z0-9_-]+)(?::([A-Za-z0-9_$-]+))?$/;

/** The name (and qualifier) a reference designates, or undefined when it is not a function reference. */
export function parseFunctionReference(reference: string): FunctionReference | undefined {
  const full = FULL.exec(reference);
  if (full) return { region: full[1], name: full[2], qualifier: full[3] };
  const partial = PARTIAL.exec(reference) ?? NAME.exec(reference);
  if (partial) return { name: partial[1], qualifier: partial[2] };
  return undefined;
}
