/**
 * Loading nines.yaml: YAML → schema → defaults → cross-field checks, with every problem located
 * as `FILE:LINE:COL: path: message` (DESIGN rule 6). Nothing here throws for bad input: problems
 * are returned so `nines check` can print them all and a failed reload keeps the running config.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isNode, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { configSchema } from './schema.ts';
import { applyDefaults, expandSecrets, type Config } from './resolve.ts';
import { crossFieldChecks, type PathProblem } from './checks.ts';

/** One located problem in a config file. */
export interface ConfigProblem {
  file: string;
  line: number;
  col: number;
  /** Dotted path such as `targets[2].timeout` ('' for the whole file). */
  path: string;
  message: string;
}

/** The result of loading: a config when there were no problems, else the problems. */
export type LoadResult =
  { ok: true; config: Config; warnings: ConfigProblem[] } | { ok: false; problems: ConfigProblem[] };

/** Options for loading: the environment for `${ENV}` references, and whether missing ones are errors. */
export interface LoadOptions {
  env?: Record<string, string | undefined>;
  /** When true (serve), a missing environment variable is a problem; when false (check) it is ignored. */
  requireEnv?: boolean;
  /**
   * Checks that need other modules (receiver channel configs, names across sections); given by
   * the caller so this module imports nothing of ours (see src/services/config-checks.ts).
   */
  extraChecks?: (config: Config) => PathProblem[];
}

/** Formats a path array as `targets[2].headers.Authorization`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Formats a problem the way `nines check` prints it. */
export function formatProblem(p: ConfigProblem): string {
  return p.path
    ? `${p.file}:${p.line}:${p.col}: ${p.path}: ${p.message}`
    : `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** Finds the deepest YAML node along `path` and whether the last key itself was found. */
function locate(doc: Document, path: readonly PropertyKey[]): { node: Node | undefined; keyNode?: Node } {
  let node: unknown = doc.contents;
  let keyNode: Node | undefined;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isNode(it.key) && (it.key as { value?: unknown }).value === part);
      if (!pair) return { node: node as Node };
      keyNode = pair.key as Node;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof part === 'number' && node.items[part]) {
      node = node.items[part];
      keyNode = undefined;
    } else {
      break;
    }
  }
  return { node: isNode(node) ? node : undefined, keyNode };
}

function position(
  doc: Document,
  counter: LineCounter,
  path: readonly PropertyKey[],
  preferKey: boolean,
): { line: number; col: number } {
  const { node, keyNode } = locate(doc, path);
  const target = preferKey && keyNode ? keyNode : node;
  const offset = target?.range?.[0] ?? 0;
  const pos = counter.linePos(offset);
  return { line: pos.line, col: pos.col };
}

function zodProblems(error: z.ZodError, file: string, doc: Document, counter: LineCounter): ConfigProblem[] {
  return error.issues.map((issue) => {
    let path = [...issue.path];
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      path = [...path, issue.keys[0]!];
      message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    const { line, col } = position(doc, counter, path, issue.code === 'unrecognized_keys');
    return { file, line, col, path: formatPath(path), message };
  });
}

/** Parses and validates config text; `file` is only used in messages. */
export function loadConfigText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = counter.linePos(e.pos[0]);
        return { file, line: pos.line, col: pos.col, path: '', message: `YAML: ${e.message.split('\n')[0]}` };
      }),
    };
  }
  const raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: zodProblems(parsed.error, file, doc, counter) };
  const withDefaults = applyDefaults(parsed.data);
  const locateAll = (ps: PathProblem[]): ConfigProblem[] =>
    ps.map((p) => ({
      file,
      ...position(doc, counter, p.path, false),
      path: formatPath(p.path),
      message: p.message,
    }));
  const problems = locateAll(crossFieldChecks(parsed.data, withDefaults));
  if (options.extraChecks) problems.push(...locateAll(options.extraChecks(withDefaults)));
  const { config, missing } = expandSecrets(withDefaults, options.env ?? process.env);
  const missingProblems = locateAll(
    missing.map((m) => ({ path: m.path, message: `environment variable ${m.name} is not set` })),
  );
  if (options.requireEnv) problems.push(...missingProblems);
  const shortTokens = config.auth.tokens.flatMap((t, i) =>
    t.token.length < 16 && !(missing.length && !options.requireEnv)
      ? [{ path: ['auth', 'tokens', i, 'token'], message: 'tokens must be at least 16 characters' }]
      : [],
  );
  problems.push(...locateAll(shortTokens));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config, warnings: options.requireEnv ? [] : missingProblems };
}

/** Reads and validates a config file. A file that cannot be read is reported as a problem. */
export function loadConfigFile(file: string, options: LoadOptions = {}): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return {
      ok: false,
      problems: [{ file, line: 1, col: 1, path: '', message: `cannot read: ${(err as Error).message}` }],
    };
  }
  return loadConfigText(text, file, options);
}
