/** The list's filters as last used, so "back" from a follow-up finds the list as it was. */
let last: Record<string, string> = {};

export function rememberListQuery(q: Record<string, string>): void {
  last = { ...q };
}

export function lastListQuery(): Record<string, string> {
  return { ...last };
}
