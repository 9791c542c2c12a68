// What the terminal behind a stream can do: redraws need cursor movement, colours need a
// terminal that has them and a user who did not opt out (NO_COLOR, https://no-color.org).

export function canRedraw(out: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return out.isTTY === true && env.TERM !== 'dumb';
}

export function canColour(out: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (out.isTTY !== true || (env.NO_COLOR ?? '') !== '') return false;
  return typeof out.hasColors === 'function' ? out.hasColors(env) : true;
}

/** Width to lay lines out in: one column short of the terminal, so no line ever wraps by itself. */
export function layoutWidth(out: NodeJS.WriteStream): number {
  return Math.max(20, (out.columns || 80) - 1);
}
