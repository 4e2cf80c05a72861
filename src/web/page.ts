/** What every dashboard page receives, and the page function type. */
import type { Me } from './types.ts';

/** The context of one page render. */
export interface PageContext {
  main: HTMLElement;
  me: Me | undefined;
  /** Decoded route parameters (e.g. the target name). */
  params: string[];
  setTitle(title: string): void;
  onLogin(me: Me): void;
}

/** Renders a page into `ctx.main`; may return a cleanup function (unsubscribe live updates). */
export type Page = (ctx: PageContext) => Promise<(() => void) | void>;

/** True when the user may do operator actions (the API enforces it; the UI explains). */
export function canOperate(ctx: PageContext): boolean {
  return ctx.me?.user.role === 'operator' || ctx.me?.user.role === 'admin';
}
