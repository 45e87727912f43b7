import type { DatasetLicense } from '@upstream/api-contract';

/** "approved template" beside a license whose terms governance approved (GET /governance/license-templates). */
export function ApprovedTemplateBadge({ license }: { license: DatasetLicense }) {
  if (!license.approvedTemplate) return null;
  return (
    <span
      className="badge"
      data-testid="approved-template"
      title="These terms are a license template governance approved"
    >
      approved template
    </span>
  );
}
