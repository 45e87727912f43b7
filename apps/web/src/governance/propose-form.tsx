import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { GovernanceInfo } from '@upstream/api-contract';
import type { ProposalTemplate } from '@upstream/chain/governance';
import { api } from '../api/client';
import { ErrorView } from '../api/error-view';
import { TransactionStatus, useTransaction } from '../transactions/transaction-status';
import { useWallet } from '../wallet/wallet-context';

/** The templates this page offers: the dispute contract's (arbiter, timeout, bond tokens) are proposed from the CLI. */
type Kind = Exclude<ProposalTemplate['kind'], 'arbiter' | 'dispute-timeout' | 'bond-token'>;
interface TemplateField {
  name: string;
  label: string;
  checkbox?: boolean;
}

/** The changes a proposal can be made from (`encodeProposal`'s templates), with the fields each needs. */
const TEMPLATES: { kind: Kind; label: string; fields: TemplateField[] }[] = [
  { kind: 'protocol-fee', label: 'Protocol fee', fields: [{ name: 'feeBps', label: 'Fee (basis points, 0–1000)' }] },
  { kind: 'root-delay', label: 'Root delay', fields: [{ name: 'seconds', label: 'Delay (seconds)' }] },
  { kind: 'treasury', label: 'Treasury', fields: [{ name: 'treasury', label: 'Treasury address' }] },
  {
    kind: 'guardian',
    label: 'Guardian',
    fields: [
      { name: 'add', label: 'Guardian to add (address, optional)' },
      { name: 'remove', label: 'Guardian to remove (address, optional)' },
    ],
  },
  {
    kind: 'token-allowed',
    label: 'Allow or disallow a payment token',
    fields: [
      { name: 'token', label: 'Token address' },
      { name: 'allowed', label: 'Allowed', checkbox: true },
    ],
  },
  {
    kind: 'token-allowlist',
    label: 'Token allowlist on or off',
    fields: [{ name: 'enabled', label: 'Accept only allowed tokens', checkbox: true }],
  },
  { kind: 'timelock-delay', label: 'Timelock delay', fields: [{ name: 'seconds', label: 'Delay (seconds)' }] },
  { kind: 'voting-period', label: 'Voting period', fields: [{ name: 'blocks', label: 'Voting period (blocks)' }] },
  { kind: 'quorum', label: 'Quorum', fields: [{ name: 'percent', label: 'Quorum (% of the votes supply)' }] },
  {
    kind: 'license-template-add',
    label: 'Approve a license template',
    fields: [
      { name: 'templateId', label: 'Template id (the terms hash, 0x…)' },
      { name: 'uri', label: 'Terms URI (optional)' },
    ],
  },
  {
    kind: 'license-template-remove',
    label: 'Withdraw a license template',
    fields: [{ name: 'templateId', label: 'Template id (the terms hash, 0x…)' }],
  },
];

const formText = (data: FormData, name: string): string => {
  const value = data.get(name);
  return typeof value === 'string' ? value.trim() : '';
};

/** The form's values as a template; a number that is not one is refused naming its field, as the encoder does. */
async function templateOf(kind: Kind, data: FormData): Promise<ProposalTemplate> {
  const { ProposalTemplateError } = await import('@upstream/chain/governance');
  const text = (name: string) => formText(data, name);
  const whole = (name: string): string => {
    const value = text(name);
    if (!/^\d+$/.test(value)) throw new ProposalTemplateError(name, 'must be a whole number');
    return value;
  };
  const optional = (name: string) => text(name) || undefined;
  switch (kind) {
    case 'protocol-fee':
      return { kind, feeBps: Number(whole('feeBps')) };
    case 'root-delay':
    case 'timelock-delay':
      return { kind, seconds: BigInt(whole('seconds')) };
    case 'treasury':
      return { kind, treasury: text('treasury') };
    case 'guardian':
      return { kind, add: optional('add'), remove: optional('remove') };
    case 'token-allowed':
      return { kind, token: text('token'), allowed: data.get('allowed') === 'on' };
    case 'token-allowlist':
      return { kind, enabled: data.get('enabled') === 'on' };
    case 'voting-period':
      return { kind, blocks: BigInt(whole('blocks')) };
    case 'quorum':
      return { kind, percent: Number(whole('percent')) };
    case 'license-template-add':
      return { kind, templateId: text('templateId'), uri: text('uri') };
    case 'license-template-remove':
      return { kind, templateId: text('templateId') };
  }
}

/** Propose a change from a template: encoded with the shared templates, proposed from the wallet. */
export function ProposeForm({ info }: { info: GovernanceInfo }) {
  const { connected } = useWallet();
  const queryClient = useQueryClient();
  const chain = useQuery({ queryKey: ['chain'], queryFn: () => api('getChain') });
  const [kind, setKind] = useState<Kind>('protocol-fee');
  const [refused, setRefused] = useState<unknown>(null);
  const tx = useTransaction();
  const template = TEMPLATES.find((t) => t.kind === kind)!;
  if (!connected) return null;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!chain.data) return;
    const data = new FormData(event.currentTarget);
    const title = formText(data, 'title');
    const details = formText(data, 'details');
    setRefused(null);
    tx.reset();
    let actions;
    try {
      const { encodeProposal } = await import('@upstream/chain/governance');
      const { actionsOf } = await import('./governor-calls');
      actions = actionsOf(
        encodeProposal(await templateOf(kind, data), {
          royaltySplitter: chain.data.royaltySplitter,
          provenanceRegistry: chain.data.provenanceRegistry,
          governor: info.governor,
          timelock: info.timelock,
          ...(info.licenseTemplates ? { licenseTemplates: info.licenseTemplates } : {}),
          ...(info.disputeBonds ? { disputeBonds: info.disputeBonds } : {}),
        }),
      );
    } catch (error) {
      setRefused(error);
      return;
    }
    const { proposalStep } = await import('./governor-calls');
    const description = details ? `${title}\n${details}` : title;
    const done = await tx.run((onSent) =>
      proposalStep(
        'propose',
        connected.wallet.provider,
        connected.address,
        info.governor,
        actions,
        description,
        onSent,
      ),
    );
    if (done) await queryClient.invalidateQueries({ queryKey: ['proposals'] });
  };

  return (
    <section aria-labelledby="propose">
      <h2 id="propose">Propose a change</h2>
      <form onSubmit={(e) => void submit(e)} className="stack-form">
        <label className="stacked">
          Change
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            {TEMPLATES.map((t) => (
              <option key={t.kind} value={t.kind}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        {template.fields.map((f) =>
          f.checkbox ? (
            <label key={`${kind}.${f.name}`} className="choice">
              <input type="checkbox" name={f.name} /> {f.label}
            </label>
          ) : (
            <label key={`${kind}.${f.name}`} className="stacked">
              {f.label}
              <input name={f.name} autoComplete="off" />
            </label>
          ),
        )}
        <label className="stacked">
          Title
          <input name="title" required maxLength={200} />
        </label>
        <label className="stacked">
          Why (optional, public)
          <textarea name="details" rows={2} maxLength={2000} />
        </label>
        <button type="submit" disabled={tx.busy || !chain.data}>
          Propose
        </button>
      </form>
      <ErrorView error={refused} title="The proposal is not valid" />
      <TransactionStatus state={tx.state} action="Proposing" verb="Proposed" failed="Proposing failed" />
      {tx.state.step === 'confirmed' && (
        <p className="muted">It is listed below once the service has read it from the chain.</p>
      )}
    </section>
  );
}
