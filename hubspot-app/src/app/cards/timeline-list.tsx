// The threads and meetings themselves. Every email or meeting value is passed to <Text> as a
// string: HubSpot renders it as characters, so no HTML is ever interpreted.
import React from 'react';
import { Box, Button, Divider, Flex, Heading, Tag, Text } from '@hubspot/ui-extensions';
import type { MeetingView, ThreadView } from './timeline/view';

export interface TimelineListProps {
  threads: ThreadView[];
  onToggle: (emailId: string) => void;
}

function MeetingEntry({ meeting, onToggle }: { meeting: MeetingView; onToggle: (id: string) => void }) {
  return (
    <Box>
      <Heading testId={`meeting-${meeting.id}`}>{meeting.title}</Heading>
      <Flex direction="row" gap="xs" align="center">
        <Tag testId={`status-${meeting.id}`} variant={meeting.cancelled ? 'error' : 'info'}>
          {meeting.statusLabel}
        </Tag>
        <Text testId={`when-${meeting.id}`} variant="microcopy">
          {meeting.whenLabel}
        </Text>
      </Flex>
      {meeting.location ? (
        <Text testId={`location-${meeting.id}`} variant="microcopy">
          {meeting.location}
        </Text>
      ) : null}
      {meeting.expanded ? <Text testId={`details-${meeting.id}`}>{meeting.description}</Text> : null}
      <Button testId={`toggle-${meeting.id}`} variant="transparent" size="xs" onClick={() => onToggle(meeting.id)}>
        {meeting.toggleLabel}
      </Button>
      <Text testId={`why-${meeting.id}`} variant="microcopy">{`Why it is here: ${meeting.explanation}`}</Text>
      <Divider />
    </Box>
  );
}

export function TimelineList({ threads, onToggle }: TimelineListProps) {
  return (
    <Flex direction="column" gap="md">
      {threads.map((thread) =>
        thread.meeting ? (
          <MeetingEntry key={thread.key} meeting={thread.meeting} onToggle={onToggle} />
        ) : (
          <Box key={thread.key}>
            <Heading testId={`thread-${thread.key}`}>{thread.subject}</Heading>
            <Text variant="microcopy">{thread.countLabel}</Text>
            <Flex direction="column" gap="sm">
              {thread.emails.map((email) => (
                <Box key={email.id}>
                  <Flex direction="row" gap="xs" align="center">
                    <Tag testId={`direction-${email.id}`} variant={email.directionLabel === 'Received' ? 'info' : 'default'}>
                      {email.directionLabel}
                    </Tag>
                    <Text testId={`sender-${email.id}`} format={{ fontWeight: 'demibold' }}>
                      {email.senderLabel}
                    </Text>
                    <Text testId={`date-${email.id}`} variant="microcopy">
                      {email.sentAtLabel}
                    </Text>
                  </Flex>
                  <Text testId={`to-${email.id}`} variant="microcopy">{`To: ${email.toLabel}`}</Text>
                  {email.ccLabel ? (
                    <Text testId={`cc-${email.id}`} variant="microcopy">{`Cc: ${email.ccLabel}`}</Text>
                  ) : null}
                  <Text testId={`subject-${email.id}`} format={{ fontWeight: 'bold' }}>
                    {email.subject}
                  </Text>
                  {email.expanded ? (
                    <Text testId={`body-${email.id}`}>{email.body}</Text>
                  ) : (
                    <Text testId={`snippet-${email.id}`}>{email.snippet}</Text>
                  )}
                  <Button testId={`toggle-${email.id}`} variant="transparent" size="xs" onClick={() => onToggle(email.id)}>
                    {email.toggleLabel}
                  </Button>
                  <Text testId={`why-${email.id}`} variant="microcopy">{`Why it is here: ${email.explanation}`}</Text>
                  <Divider />
                </Box>
              ))}
            </Flex>
          </Box>
        ),
      )}
    </Flex>
  );
}
