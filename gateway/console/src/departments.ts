/** The departments as a tree (by parentId), for the registry's tree and the department pickers. */
import type { Department } from './api/types';

export interface DepartmentNode {
  value: string;
  label: string;
  department: Department;
  children: DepartmentNode[];
}

/**
 * The tree of `list`. A department whose parent is not in the list (a department head sees only
 * their part of the tree) is a root here.
 */
export function departmentTree(list: readonly Department[]): DepartmentNode[] {
  const nodes = new Map(list.map((d) => [d.departmentId, { value: d.departmentId, label: d.name, department: d, children: [] as DepartmentNode[] }]));
  const roots: DepartmentNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.department.parentId ? nodes.get(node.department.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const sort = (ns: DepartmentNode[]) => {
    ns.sort((a, b) => a.label.localeCompare(b.label, 'zh-CN'));
    for (const n of ns) sort(n.children);
  };
  sort(roots);
  return roots;
}

/** The ids of a department and everything below it (a department cannot move under these). */
export function selfAndBelow(list: readonly Department[], id: string): Set<string> {
  const seen = new Set([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const d of list) {
      if (d.parentId && seen.has(d.parentId) && !seen.has(d.departmentId)) {
        seen.add(d.departmentId);
        grew = true;
      }
    }
  }
  return seen;
}
