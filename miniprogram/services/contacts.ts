/** Who I am and which unit I report for. */
import type { MeView, UnitView } from '../shared/api';
import { call } from './call';

export const fetchMe = (): Promise<MeView> => call('me.get');
export const fetchUnits = (): Promise<UnitView[]> => call('unit.list');

export interface BindInput {
  unitId: string;
  name: string;
  phone: string;
  /** From wx.getGroupEnterInfo when the app was opened from the group's card. */
  groupCloudId?: string;
}

export function bindContact(input: BindInput): Promise<MeView> {
  const data: BindInput = { unitId: input.unitId, name: input.name.trim(), phone: input.phone.trim() };
  if (input.groupCloudId) data.groupCloudId = input.groupCloudId;
  return call('contact.bind', data);
}
