import { useState } from 'react';
import Button from '@material-ui/core/Button';

/** Longer messages (Helm and kustomize errors run to kilobytes) are cut here until expanded. */
export const MESSAGE_PREVIEW_LENGTH = 240;

function preview(message: string): string {
  const cut = message.slice(0, MESSAGE_PREVIEW_LENGTH);
  const space = cut.lastIndexOf(' ');
  return `${space > MESSAGE_PREVIEW_LENGTH / 2 ? cut.slice(0, space) : cut}…`;
}

/** The reason in bold, then the message; a long message shows its start and a button to expand. */
export function ObjectMessage(props: { reason?: string; message?: string }) {
  const { reason, message } = props;
  const [expanded, setExpanded] = useState(false);
  if (!reason && !message) return <>—</>;
  const long = !!message && message.length > MESSAGE_PREVIEW_LENGTH;
  return (
    <>
      {reason && <strong>{reason}: </strong>}
      {long && !expanded ? preview(message!) : message}
      {long && (
        <Button
          size="small"
          aria-expanded={expanded}
          onClick={() => setExpanded(!expanded)}
          style={{ display: 'block', padding: 0, minWidth: 0 }}
        >
          {expanded ? 'Show less' : 'Show full message'}
        </Button>
      )}
    </>
  );
}
