import { formatNumber, formatTarget } from "./format.ts";
import type { ScenarioResult } from "./result.ts";

/**
 * How far a value is from its target, oriented so that ≥ 1 always means "meets it": value ÷ target
 * for a floor, target ÷ value for a ceiling.
 */
export function attainment(result: ScenarioResult): number | null {
  if (result.value === null || !Number.isFinite(result.value)) return null;
  const { op, value } = result.target;
  if (op === ">=") return result.value / value;
  return result.value === 0 ? Number.POSITIVE_INFINITY : value / result.value;
}

const xmlText = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * A horizontal bar chart, log scale, of each scenario's attainment: the dashed line is the target,
 * green bars reach it, red bars do not, grey rows were skipped. Plain SVG, so GitHub renders it.
 */
export function attainmentChart(results: readonly ScenarioResult[], title: string): string {
  const min = 0.05;
  const max = 20;
  const labelWidth = 230;
  const plotWidth = 470;
  const textWidth = 260;
  const rowHeight = 30;
  const top = 50;
  const width = labelWidth + plotWidth + textWidth;
  const height = top + rowHeight * results.length + 40;
  const x = (v: number) => labelWidth + (Math.log10(Math.min(max, Math.max(min, v)) / min) / Math.log10(max / min)) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">${xmlText(title)}</text>`,
    `<text x="10" y="40" fill="#555">bar = value relative to target (log scale; right of the dashed line meets the target)</text>`,
  ];
  for (const tick of [0.1, 0.5, 1, 2, 5, 10]) {
    const tx = x(tick);
    parts.push(
      `<line x1="${tx}" y1="${top - 4}" x2="${tx}" y2="${height - 30}" stroke="${tick === 1 ? "#333" : "#ddd"}"${tick === 1 ? ' stroke-dasharray="4 3"' : ""}/>`,
      `<text x="${tx}" y="${height - 14}" text-anchor="middle" fill="#555">${tick}×</text>`,
    );
  }
  results.forEach((result, i) => {
    const y = top + i * rowHeight;
    const a = attainment(result);
    parts.push(`<text x="${labelWidth - 8}" y="${y + 18}" text-anchor="end">${xmlText(result.name)}</text>`);
    if (a === null) {
      parts.push(`<text x="${labelWidth + 6}" y="${y + 18}" fill="#888">skipped</text>`);
    } else {
      const colour = result.verdict === "pass" ? "#2e9d4f" : "#d64541";
      parts.push(
        `<rect x="${labelWidth}" y="${y + 6}" width="${Math.max(1, x(a) - labelWidth)}" height="${rowHeight - 12}" fill="${colour}"/>`,
      );
    }
    const text = `${formatNumber(result.value)} ${result.unit} (target ${formatTarget(result.target)})`;
    parts.push(`<text x="${labelWidth + plotWidth + 8}" y="${y + 18}" fill="#333">${xmlText(text)}</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
