// Entry point HubSpot loads for the card (see mailbridge-timeline-card-hsmeta.json).
import React from 'react';
import { hubspot } from '@hubspot/ui-extensions';
import { TimelineCard } from './timeline-card';

hubspot.extend<'crm.record.tab'>(() => <TimelineCard />);
