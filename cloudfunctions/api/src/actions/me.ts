import type { MeView } from '../../../../miniprogram/shared/api';
import { db, first } from '../../../common/cloud';
import { maskPhone } from '../../../common/mask';
import type { ContactDoc, UnitDoc } from '../../../common/records';
import { C } from '../../../common/schema';
import { configuredTemplates, templateKinds } from '../../../common/templates';
import { empty } from '../../../common/validate';
import type { ActionDef } from '../router';
import type { Caller } from '../../../common/context';
import { BOOTSTRAP_ID } from './admin';
import { heldBy } from './subscriptions';

export async function meView(caller: Caller, contactOverride?: ContactDoc): Promise<MeView> {
  const contact = contactOverride ?? (await caller.contact());
  const kinds = templateKinds();
  const longTermTemplates = [...kinds].filter(([, kind]) => kind === 'long-term').map(([id]) => id);
  const [bootstrap, unitDoc, held] = await Promise.all([
    first(db.collection(C.settings).where({ _id: BOOTSTRAP_ID }).limit(1)),
    contact?.unitId ? first<UnitDoc>(db.collection(C.units).where({ _id: contact.unitId }).limit(1)) : undefined,
    // Only accounts with long-term templates pay for the ledger read.
    longTermTemplates.length ? heldBy(caller.openid, kinds) : undefined,
  ]);
  const isAdmin = contact?.isAdmin === true;
  return {
    openid: caller.openid,
    isAdmin,
    needsSetup: bootstrap === undefined,
    subscribeTemplates: configuredTemplates(),
    longTermTemplates,
    longTermHeld: held?.longTerm ?? [],
    contact:
      contact && contact.unitId && contact.status
        ? {
            status: contact.status,
            unitId: contact.unitId,
            unitName: unitDoc?.name ?? '',
            name: contact.name,
            phone: isAdmin ? contact.phone : maskPhone(contact.phone),
          }
        : null,
  };
}

export const meGet: ActionDef<'me.get'> = {
  access: 'anyone',
  input: empty,
  run: (_input, caller) => meView(caller),
};
