/**
 * Text made safe for HTML element content and quoted attribute values: `& < > " '` become numeric character
 * references. The library's loopback result page and @tokenloop/web's pages escape with it.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
