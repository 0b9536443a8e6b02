import { describe, expect, it } from 'vitest';
import { readDeliveryEnabled, readDeliverySettings } from './settings.ts';

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

describe('readDeliveryEnabled', () => {
  it('should deliver unless INKLING_DELIVERY is off, and refuse any other value', () => {
    expect(readDeliveryEnabled({})).toBe(true);
    expect(readDeliveryEnabled({ INKLING_DELIVERY: 'on' })).toBe(true);
    expect(readDeliveryEnabled({ INKLING_DELIVERY: 'OFF' })).toBe(false);
    expect(() => readDeliveryEnabled({ INKLING_DELIVERY: 'no' })).toThrow(/INKLING_DELIVERY must be "on" or "off"/);
  });
});
