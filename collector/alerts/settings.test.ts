import { describe, expect, it } from 'vitest';
import { readDeliverySettings } from './settings.ts';

describe('readDeliverySettings', () => {
  it('should keep the default give-up time when unset, and read hours', () => {
    expect(readDeliverySettings({})).toEqual({});
    expect(readDeliverySettings({ INKLING_DELIVERY_GIVE_UP_HOURS: '' })).toEqual({});
    expect(readDeliverySettings({ INKLING_DELIVERY_GIVE_UP_HOURS: '48' })).toEqual({ giveUpMs: 48 * 3_600_000 });
    expect(readDeliverySettings({ INKLING_DELIVERY_GIVE_UP_HOURS: '0.5' })).toEqual({ giveUpMs: 1_800_000 });
  });

  it('should stop the start on a bad value', () => {
    for (const bad of ['0', '-1', 'soon', '721']) {
      expect(() => readDeliverySettings({ INKLING_DELIVERY_GIVE_UP_HOURS: bad })).toThrow(
        /INKLING_DELIVERY_GIVE_UP_HOURS/,
      );
    }
  });
});
