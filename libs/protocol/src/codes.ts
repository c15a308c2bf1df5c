/**
 * The RocketMQ status-code catalog. `Code` is the generated numeric enum of
 * `apache.rocketmq.v2.Code` (OK = 20000, BAD_REQUEST = 40000, ILLEGAL_TOPIC = 40002, ...), so
 * its values come straight from definition.proto, which the wire-conformance spec pins to the
 * official file. Codes are API; status messages are not.
 */
import { Code, codeToJSON, type Status } from './gen/apache/rocketmq/v2/definition';

export { Code };
export type { Status };

/** CodeName is the proto name of a code, e.g. 'ILLEGAL_TOPIC'. */
export type CodeName = Exclude<keyof typeof Code, 'UNRECOGNIZED'>;

/** codeName returns the proto name of a code ('UNRECOGNIZED' for a number outside the catalog). */
export function codeName(code: Code): string {
  return codeToJSON(code);
}

/**
 * status builds the in-band `Status` every response carries. Without a message it uses the
 * code's name, as Apache does when it has nothing better to say: the official clients show the
 * message in their exceptions, so it should never be empty.
 */
export function status(code: Code, message: string = codeName(code)): Status {
  return { code, message };
}
