// ANSI escape sequences, and measuring and cutting text that may contain them. Everything that
// writes an escape code gets it from here, so "no escape codes when not a terminal" has one
// place to hold.

const ESC = '\x1b[';

export const ansi = {
  hideCursor: `${ESC}?25l`,
  showCursor: `${ESC}?25h`,
  /** Erase from the cursor to the end of the line. */
  clearLineEnd: `${ESC}K`,
  /** Erase from the cursor to the end of the screen. */
  clearScreenEnd: `${ESC}J`,
  clearScreen: `${ESC}H${ESC}2J`,
  reset: `${ESC}0m`,
  cursorUp: (lines: number): string => (lines > 0 ? `${ESC}${lines}A` : ''),
};

// SGR parameters of the few styles the views use.
const STYLES = {
  bold: '1',
  dim: '2',
  red: '31',
  green: '32',
  yellow: '33',
  blue: '34',
  magenta: '35',
  cyan: '36',
} as const;

export type Style = keyof typeof STYLES;

/** Applies styles, or does nothing at all: views take one and never test for colour themselves. */
export type Paint = (text: string, ...styles: Style[]) => string;

export const noColour: Paint = (text) => text;

export const colour: Paint = (text, ...styles) =>
  styles.length === 0 || text === '' ? text : `${ESC}${styles.map((s) => STYLES[s]).join(';')}m${text}${ansi.reset}`;

export function paintFor(enabled: boolean): Paint {
  return enabled ? colour : noColour;
}

/** Matches CSI sequences (colours, cursor moves, erases). */
const CSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(CSI, '');
}

/** Columns a line takes on screen. Every character the views print is one column wide. */
export function visibleWidth(text: string): number {
  let width = 0;
  for (const _ of stripAnsi(text)) width++;
  return width;
}

/**
 * Cuts a line to `width` columns, ending with `…` when something was cut. Escape sequences are
 * kept (they take no room) and a reset is appended so a cut colour does not leak.
 */
export function fitWidth(text: string, width: number): string {
  if (visibleWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  let styled = false;
  // Tokens: either one escape sequence or one character.
  for (const token of text.match(/\x1b\[[0-9;?]*[A-Za-z]|[\s\S]/gu) ?? []) {
    if (token.startsWith('\x1b[')) {
      out += token;
      styled = true;
      continue;
    }
    if (used === width - 1) break;
    out += token;
    used++;
  }
  return `${out}…${styled ? ansi.reset : ''}`;
}

/** Pads with spaces to `width` visible columns (never cuts). */
export function padVisible(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}
