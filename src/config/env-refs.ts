/**
 * `${ENV}` secret references in config strings. Secrets stay out of the file (and out of logs):
 * the file says `Bearer ${OPENAI_API_KEY}` and the value is read from the environment at load.
 */

const REF_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const BAD_REF_RE = /\$\{(?![A-Za-z_][A-Za-z0-9_]*\})[^}]*\}?/;

/** Names of the environment variables a string refers to, in order of appearance. */
export function envRefs(text: string): string[] {
  return [...text.matchAll(REF_RE)].map((m) => m[1]!);
}

/** Returns a message if the string contains a malformed reference such as `${1X}` or `${A`. */
export function malformedEnvRef(text: string): string | undefined {
  const m = BAD_REF_RE.exec(text);
  return m ? `malformed environment reference "${m[0]}" (use \${NAME})` : undefined;
}

/**
 * Replaces every `${NAME}` with its value from `env`. Returns the names that were missing
 * (replaced by an empty string) so the caller can report them with a path.
 */
export function expandEnvRefs(
  text: string,
  env: Record<string, string | undefined>,
): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = text.replace(REF_RE, (_, name: string) => {
    const v = env[name];
    if (v === undefined) missing.push(name);
    return v ?? '';
  });
  return { value, missing };
}
