import type { Inventory } from '../../../src/model/inventory.js';
import { inventoryList } from '../../../src/report/inventory.js';

/** `runstate inventory --list` as plain JSON values (what ansible-inventory prints, parsed). */
export function jsonInventoryList(inv: Inventory): unknown {
  return JSON.parse(JSON.stringify(inventoryList(inv)));
}
