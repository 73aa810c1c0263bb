import { deliveryLabel } from './delivery-label';

describe('deliveryLabel: what became of an open alert’s page', () => {
  it.each([
    // [delivery status, attempts, notifier decision, label]
    ['delivered', 1, 'sent', 'delivered (1)'],
    ['failed', 5, 'sent', 'failed (5)'],
    ['', 0, 'cooldown', 'held: cooldown'],
    ['', 0, 'silenced', 'silenced'],
    ['', 0, 'inhibited', 'inhibited'],
    ['', 0, 'grouped', 'waiting for its group'],
    ['', 0, 'digest', 'in the daily digest'],
    ['', 0, 'sent', 'pending'],
    ['', 0, '', 'pending'],
  ])('%s/%s/%s → %s', (delivery_status, delivery_attempts, notifier_decision, label) => {
    expect(deliveryLabel({ delivery_status, delivery_attempts, notifier_decision })).toBe(label);
  });
});
