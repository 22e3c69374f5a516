import { useMemo } from 'preact/hooks';
import { layoutGraph } from '../model/layout';
import { describeState } from '../model/status';
import { Status } from './Status';

export interface GraphNode {
  id: string;
  label: string;
  state: string;
  lines: string[];
}

export interface GraphEdge {
  from: string;
  to: string;
  kind?: string;
  label?: string;
}

const CHAR = 6.6;
const LINE = 15;
const MAX_CHARS = 38;

const clip = (text: string) => (text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 1)}…` : text);

/**
 * A graph laid out by dagre and drawn as SVG. Each node is focusable (Tab) and names its state in words; Enter or a
 * click selects it. The same content is always given as a list or table next to the graph by the views, for
 * screen readers and narrow screens.
 */
export function Graph(props: { title: string; nodes: GraphNode[]; edges: GraphEdge[]; narrow?: boolean; selected?: string; onSelect?: (id: string) => void }) {
  const { nodes, edges, narrow } = props;
  // Laid out again only when what is drawn changes, not on every poll's new (equal) arrays.
  const shape = JSON.stringify([nodes, edges, narrow]);
  const layout = useMemo(() => {
    const sized = nodes.map((n) => {
      const longest = Math.max(n.label.length + 3, describeState(n.state).text.length + 3, ...n.lines.map((l) => clip(l).length));
      return { id: n.id, width: Math.min(280, Math.max(120, longest * CHAR + 20)), height: 28 + LINE * (n.lines.length + 1) };
    });
    return layoutGraph(sized, edges, narrow ? 'TB' : 'LR');
  }, [shape]);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return (
    <div class="graph-scroll">
      <svg class="graph" width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="group" aria-label={props.title}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
          </marker>
        </defs>
        {layout.edges.map((e, i) => {
          const edge = edges[e.index];
          const d = e.points.map((p, j) => `${j === 0 ? 'M' : 'L'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
          const mid = e.label ?? e.points[Math.floor(e.points.length / 2)];
          return (
            <g key={`${e.from}-${e.to}-${i}`} class={`edge edge-${edge?.kind ?? 'flow'}`} data-from={e.from} data-to={e.to}>
              <path d={d} marker-end="url(#arrow)" />
              {edge?.label && mid ? (
                <text x={mid.x} y={mid.y + 4} class="edge-label">
                  {edge.label}
                </text>
              ) : null}
            </g>
          );
        })}
        {layout.nodes.map((placed) => {
          const node = byId.get(placed.id) as GraphNode;
          const d = describeState(node.state);
          const select = () => props.onSelect?.(node.id);
          return (
            <g
              key={node.id}
              class={`node tone-${d.tone}${props.selected === node.id ? ' selected' : ''}`}
              data-node={node.id}
              data-state={node.state}
              transform={`translate(${placed.x},${placed.y})`}
              // Lower case: on an SVG element the attribute keeps its case, and only `tabindex` makes it focusable.
              tabindex={0}
              role="button"
              aria-label={`${node.label}: ${d.text}. ${node.lines.join('. ')}`}
              onClick={select}
              onKeyDown={(event) => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  select();
                }
              }}
            >
              <title>{[`${node.label}: ${d.text}`, ...node.lines].join('\n')}</title>
              <rect width={placed.width} height={placed.height} rx="6" />
              <text x="10" y="19" class="node-label">
                {node.label}
              </text>
              <text x="10" y={19 + LINE} class="node-state">
                {`${d.symbol} ${d.text}`}
              </text>
              {node.lines.map((line, i) => (
                <text key={i} x="10" y={19 + LINE * (i + 2)} class="node-line">
                  {clip(line)}
                </text>
              ))}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/**
 * The nodes of a graph as a table (the graph's text alternative, and what a screen reader or a phone reads): one row
 * per node with its state in words and its details. `attribute` names each row's node id (`data-stage`, `data-step`).
 */
export function NodeTable({ label, heading, attribute, nodes }: { label: string; heading: string; attribute: `data-${string}`; nodes: GraphNode[] }) {
  return (
    <table class="list" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">{heading}</th>
          <th scope="col">Status</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((n) => (
          <tr key={n.id} {...{ [attribute]: n.id }} data-state={n.state}>
            <th scope="row">{n.label}</th>
            <td>
              <Status state={n.state} />
            </td>
            <td>{n.lines.join(' · ') || '-'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

