import { Background, MarkerType, Position, ReactFlow, type Edge, type Node } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { useLocation } from 'wouter';
import type { Lineage, LineageNode } from '@upstream/api-contract';
import { percent } from '../format';

const COLUMN = 240;
const ROW = 84;

/**
 * The lineage as a graph (@xyflow/react): parents to the left, derived datasets to the right, one column per
 * generation, each edge labelled with the upstream share it carries. A picture of the lists beside it, which
 * stay the accessible way through (the graph's nodes are not focusable); a click on a node opens it.
 */
export default function LineageGraph({ lineage, title }: { lineage: Lineage; title: string }) {
  const [, navigate] = useLocation();
  const { nodes, edges } = useMemo(() => layout(lineage, title), [lineage, title]);
  const summary =
    `Lineage graph of ${title}: ${lineage.ancestors.length} ancestor${lineage.ancestors.length === 1 ? '' : 's'} ` +
    `and ${lineage.descendants.length} derived dataset${lineage.descendants.length === 1 ? '' : 's'}, listed below.`;
  return (
    <div className="lineage-graph" role="img" aria-label={summary} data-testid="lineage-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        colorMode="system"
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        nodesDraggable={false}
        nodesConnectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        elementsSelectable={false}
        zoomOnScroll={false}
        preventScrolling={false}
        proOptions={{ hideAttribution: true }}
        onNodeClick={(_, node) => {
          if (node.id !== lineage.id) navigate(`/app/datasets/${node.id}`);
        }}
      >
        <Background />
      </ReactFlow>
    </div>
  );
}

function layout(lineage: Lineage, title: string): { nodes: Node[]; edges: Edge[] } {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  const rows = new Map<number, number>();
  const place = (column: number) => {
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    return { x: column * COLUMN, y: row * ROW };
  };
  nodes.push({
    id: lineage.id,
    position: place(0),
    data: { label: title },
    className: 'lineage-node lineage-self',
    sourcePosition: Position.Right,
    targetPosition: Position.Left,
  });
  const add = (n: LineageNode, side: -1 | 1) => {
    nodes.push({
      id: n.id,
      position: place(side * n.depth),
      data: { label: n.title },
      className: 'lineage-node',
      sourcePosition: Position.Right,
      targetPosition: Position.Left,
    });
    // Ancestors: the edge runs from the parent (n) to the dataset derived from it (via); descendants the other way.
    const [source, target] = side < 0 ? [n.id, n.via] : [n.via, n.id];
    edges.push({
      id: `${source}->${target}`,
      source,
      target,
      label: percent(n.upstreamBps),
      markerEnd: { type: MarkerType.ArrowClosed },
    });
  };
  for (const n of lineage.ancestors) add(n, -1);
  for (const n of lineage.descendants) add(n, 1);
  return { nodes, edges };
}
