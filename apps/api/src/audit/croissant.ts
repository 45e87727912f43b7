import type { ApiResponseSchemaHost } from '@nestjs/swagger';

type SchemaObject = ApiResponseSchemaHost['schema'];
import type { RunProvenanceDto } from './dto/audit-response.dto';

/** The Croissant 1.0 JSON-LD context (https://mlcommons.org/croissant), plus prov for lineage. */
const CROISSANT_CONTEXT = {
  '@language': 'en',
  '@vocab': 'https://schema.org/',
  sc: 'https://schema.org/',
  cr: 'http://mlcommons.org/croissant/',
  dct: 'http://purl.org/dc/terms/',
  prov: 'http://www.w3.org/ns/prov#',
  citeAs: 'cr:citeAs',
  conformsTo: 'dct:conformsTo',
  data: { '@id': 'cr:data', '@type': '@json' },
  dataType: { '@id': 'cr:dataType', '@type': '@vocab' },
  field: 'cr:field',
  recordSet: 'cr:recordSet',
  source: 'cr:source',
  key: 'cr:key',
};

/**
 * The dataset list of a run as MLCommons Croissant-style metadata: the run's training data as one
 * `sc:Dataset` whose `isBasedOn` lists every dataset (content root, owners, license) and whose record
 * set `entries` holds (datasetId, weight) rows, with the run's signed entries root and anchor.
 */
export function runCroissant(p: RunProvenanceDto, baseUrl: string): Record<string, unknown> {
  const { run } = p;
  return {
    '@context': CROISSANT_CONTEXT,
    '@type': 'sc:Dataset',
    '@id': `${baseUrl}/runs/${run.runId}/croissant`,
    conformsTo: 'http://mlcommons.org/croissant/1.0',
    name: `training-data-${run.modelName}`,
    description: `Datasets used by training run ${run.runId} of model ${run.modelName} (${run.modelHash}), signed by lab ${run.lab}.`,
    url: `${baseUrl}/runs/${run.runId}/provenance`,
    identifier: run.runId,
    dateCreated: run.createdAt,
    creator: { '@type': 'sc:Organization', identifier: run.lab },
    'prov:wasGeneratedBy': {
      '@type': 'prov:Activity',
      identifier: run.runId,
      'prov:startedAtTime': run.startedAt,
      'prov:endedAtTime': run.endedAt,
      entriesRoot: run.entriesRoot,
      weightUnit: run.weightUnit,
      totalWeight: run.totalWeight,
      anchor: run.anchor.anchor
        ? { txHash: run.anchor.anchor.txHash, batchRoot: run.anchor.batch?.root }
        : { state: run.anchor.state },
    },
    isBasedOn: p.entries.map((e) => ({
      '@type': 'sc:Dataset',
      '@id': `${baseUrl}/datasets/${e.datasetId}`,
      identifier: e.datasetId,
      name: e.title,
      license: e.licenseTemplate,
      creator: e.owners.map((o) => ({ '@type': 'sc:Person', identifier: o.account, 'upstream:shareBps': o.shareBps })),
    })),
    recordSet: [
      {
        '@type': 'cr:RecordSet',
        '@id': 'entries',
        name: 'entries',
        description: `One row per dataset: its usage weight in ${run.weightUnit}. Rows ${p.offset}..${p.offset + p.entries.length - 1} of ${p.total}.`,
        key: { '@id': 'entries/datasetId' },
        field: [
          {
            '@type': 'cr:Field',
            '@id': 'entries/datasetId',
            name: 'datasetId',
            dataType: 'sc:Text',
            description: 'content root (bytes32)',
          },
          {
            '@type': 'cr:Field',
            '@id': 'entries/weight',
            name: 'weight',
            dataType: 'sc:Integer',
            description: `usage weight in ${run.weightUnit}`,
          },
        ],
        data: p.entries.map((e) => ({ 'entries/datasetId': e.datasetId, 'entries/weight': e.weight })),
      },
    ],
  };
}

const text: SchemaObject = { type: 'string' };
const node = (required: string[], properties: Record<string, SchemaObject>): SchemaObject => ({
  type: 'object',
  additionalProperties: true,
  required,
  properties,
});

/** What `runCroissant` answers, as OpenAPI documents it (JSON-LD: a reader may meet more terms than these). */
export const CROISSANT_SCHEMA: SchemaObject = node(
  [
    '@context',
    '@type',
    '@id',
    'conformsTo',
    'name',
    'description',
    'url',
    'identifier',
    'dateCreated',
    'creator',
    'prov:wasGeneratedBy',
    'isBasedOn',
    'recordSet',
  ],
  {
    '@context': { type: 'object', additionalProperties: true },
    '@type': { type: 'string', enum: ['sc:Dataset'] },
    '@id': text,
    conformsTo: { type: 'string', enum: ['http://mlcommons.org/croissant/1.0'] },
    name: text,
    description: text,
    url: text,
    identifier: { ...text, description: 'the runId' },
    dateCreated: text,
    creator: node(['@type', 'identifier'], { '@type': text, identifier: { ...text, description: 'the lab' } }),
    'prov:wasGeneratedBy': node(['@type', 'identifier', 'entriesRoot', 'weightUnit', 'totalWeight', 'anchor'], {
      '@type': text,
      identifier: text,
      'prov:startedAtTime': text,
      'prov:endedAtTime': text,
      entriesRoot: text,
      weightUnit: text,
      totalWeight: text,
      anchor: { type: 'object', additionalProperties: true },
    }),
    isBasedOn: {
      type: 'array',
      items: node(['@type', '@id', 'identifier', 'name', 'license', 'creator'], {
        '@type': text,
        '@id': text,
        identifier: { ...text, description: 'the dataset content root' },
        name: text,
        license: text,
        creator: {
          type: 'array',
          items: node(['@type', 'identifier', 'upstream:shareBps'], {
            '@type': text,
            identifier: text,
            'upstream:shareBps': { type: 'integer' },
          }),
        },
      }),
    },
    recordSet: {
      type: 'array',
      items: node(['@type', '@id', 'name', 'field', 'data'], {
        '@type': text,
        '@id': text,
        name: text,
        description: text,
        key: { type: 'object', additionalProperties: true },
        field: { type: 'array', items: { type: 'object', additionalProperties: true } },
        data: {
          type: 'array',
          items: node(['entries/datasetId', 'entries/weight'], {
            'entries/datasetId': text,
            'entries/weight': text,
          }),
        },
      }),
    },
  },
);
