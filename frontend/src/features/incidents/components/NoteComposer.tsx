/**
 * Adding a note (a comment) to the timeline. Ctrl+Enter (⌘+Enter on a Mac) posts it; a half-written
 * note is kept in this browser per incident, so leaving the page and coming back loses nothing,
 * and it is forgotten once posted.
 */
import { forwardRef, useState } from 'react';
import { ActionResult } from '../../../components/States';
import { useAddComment } from '../api/incidents';
import { savedDraft, saveDraft } from './timelineStorage';
import './Timeline.css';

const onMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);
export const POST_SHORTCUT = onMac ? '⌘+Enter' : 'Ctrl+Enter';

const Composer = forwardRef<HTMLTextAreaElement, { incidentId: number }>(function Composer({ incidentId }, ref) {
  const add = useAddComment(incidentId);
  const [body, setBody] = useState(() => savedDraft(incidentId));
  const [posted, setPosted] = useState(false);
  const edit = (text: string) => {
    setBody(text);
    saveDraft(incidentId, text);
    setPosted(false);
  };
  const post = () => {
    const text = body.trim();
    if (!text || add.isPending) return;
    add.mutate(text, {
      onSuccess: () => {
        // Whatever was typed while it was being posted stays.
        setBody((current) => {
          const rest = current.trim() === text ? '' : current;
          saveDraft(incidentId, rest);
          return rest;
        });
        setPosted(true);
      },
    });
  };
  return (
    <form
      className="comment-box"
      onSubmit={(e) => {
        e.preventDefault();
        post();
      }}
    >
      <label htmlFor="comment-body">Comment</label>
      <textarea
        id="comment-body"
        ref={ref}
        rows={3}
        value={body}
        onChange={(e) => edit(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            post();
          }
        }}
        placeholder="What did you find or do? (press c to jump here)"
        aria-keyshortcuts="c"
        aria-describedby="comment-hint"
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={add.isPending || !body.trim()} aria-keyshortcuts="Control+Enter Meta+Enter">
          {add.isPending ? 'Posting…' : 'Add comment'}
        </button>
        <span id="comment-hint" className="muted comment-hint">
          {POST_SHORTCUT} to post · a draft is kept until it is posted
        </span>
      </div>
      <ActionResult error={add.error} success={posted && !add.error && 'Comment posted to the timeline.'} />
    </form>
  );
});

/** The note composer, fresh for each incident (its own draft). */
export const CommentBox = forwardRef<HTMLTextAreaElement, { incidentId: number }>(function CommentBox({ incidentId }, ref) {
  return <Composer key={incidentId} ref={ref} incidentId={incidentId} />;
});
