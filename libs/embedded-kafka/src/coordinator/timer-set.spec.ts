import { systemClock } from './coordinator-clock';
import { TimerSet } from './timer-set';

describe('TimerSet', () => {
  it('unrefs real timers so they never keep the process alive, and cancelAll clears them', () => {
    const timers = new TimerSet(systemClock);
    const fired = jest.fn();
    const t = timers.start(60_000, fired);
    expect((t.handle as NodeJS.Timeout).hasRef()).toBe(false);
    timers.start(60_000, fired);
    expect(timers.size).toBe(2);
    timers.cancelAll();
    expect(timers.size).toBe(0);
  });

  it('fires once and forgets the timer; cancel of a fired timer is harmless', async () => {
    const timers = new TimerSet(systemClock);
    const t = await new Promise<ReturnType<TimerSet['start']>>((resolve) => {
      const armed = timers.start(1, () => resolve(armed));
    });
    expect(timers.size).toBe(0);
    expect(() => timers.cancel(t)).not.toThrow();
  });
});
