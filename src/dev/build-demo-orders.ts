// The demo API's sample data: a few recent orders, the same ones for the same subject every time.
import { createHash } from 'node:crypto';

export interface DemoOrder {
  id: string;
  item: string;
  quantity: number;
  total: string;
  status: 'delivered' | 'shipped' | 'processing';
  placedOn: string;
}

const demoItems = [
  { name: 'Espresso beans, 1 kg', price: 24.9 },
  { name: 'Ceramic pour-over dripper', price: 32 },
  { name: 'Paper filters (100)', price: 6.5 },
  { name: 'Hand burr grinder', price: 89 },
  { name: 'Gooseneck kettle', price: 54.9 },
  { name: 'Insulated travel mug', price: 19.9 },
] as const;
const orderStatuses = ['processing', 'shipped', 'delivered'] as const;
const dayMs = 24 * 60 * 60 * 1000;

export function buildDemoOrders(subject: string): DemoOrder[] {
  const now = Date.now();
  const seed = createHash('sha256').update(subject).digest();
  const orders: DemoOrder[] = [];
  let daysAgo = 0;
  for (let i = 0; i < 3; i++) {
    const byte = seed[i] ?? 0;
    const item = demoItems[byte % demoItems.length] ?? demoItems[0];
    const quantity = 1 + (byte % 3);
    daysAgo += 1 + (byte % 9);
    orders.push({
      id: `ORD-${seed
        .readUInt16BE(4 + 2 * i)
        .toString()
        .padStart(5, '0')}`,
      item: item.name,
      quantity,
      total: `€${(item.price * quantity).toFixed(2)}`,
      status: orderStatuses[i] ?? 'delivered',
      placedOn: new Date(now - daysAgo * dayMs).toISOString().slice(0, 10),
    });
  }
  return orders;
}
