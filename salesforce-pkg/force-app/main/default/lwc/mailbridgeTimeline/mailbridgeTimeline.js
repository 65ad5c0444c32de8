import { LightningElement, api, wire } from 'lwc';
import LOCALE from '@salesforce/i18n/locale';
import TIME_ZONE from '@salesforce/i18n/timeZone';
import getTimeline from '@salesforce/apex/MailbridgeTimelineController.getTimeline';
import getMeetings from '@salesforce/apex/MailbridgeTimelineController.getMeetings';
import {
    buildTimelineView,
    contactOptions,
    dealOptions,
    fromApexMeeting,
    fromApexRow
} from 'c/mailbridgeTimelineModel';

/**
 * The emails mailbridge logged for the record being viewed, grouped by thread, and the meetings
 * it logged, in one timeline newest first, with contact and deal filters. Every value is bound as
 * text: no email HTML is ever rendered.
 */
export default class MailbridgeTimeline extends LightningElement {
    @api recordId;

    emails = [];
    meetings = [];
    loaded = false;
    errorMessage = '';
    contactId = '';
    dealId = '';
    expandedIds = new Set();

    @wire(getTimeline, { recordId: '$recordId' })
    wiredTimeline({ data, error }) {
        if (data) {
            this.emails = data.map(fromApexRow);
            this.errorMessage = '';
            this.loaded = true;
        } else if (error) {
            this.emails = [];
            this.errorMessage = messageOf(error);
            this.loaded = true;
        }
    }

    // Meetings are read imperatively (cacheable): a panel whose meetings fail still shows its emails.
    connectedCallback() {
        if (!this.recordId) {
            return;
        }
        Promise.resolve(getMeetings({ recordId: this.recordId }))
            .then((rows) => {
                this.meetings = (rows ?? []).map(fromApexMeeting);
            })
            .catch(() => {
                this.meetings = [];
            });
    }

    get isLoading() {
        return !this.loaded;
    }

    get hasEmails() {
        return this.emails.length > 0 || this.meetings.length > 0;
    }

    get view() {
        return buildTimelineView(
            this.emails,
            { contactId: this.contactId, dealId: this.dealId },
            this.expandedIds,
            {
                locale: LOCALE,
                timeZone: TIME_ZONE
            },
            this.meetings
        );
    }

    get threads() {
        return this.view.threads;
    }

    get summary() {
        return this.view.summary;
    }

    get hasVisibleThreads() {
        return this.view.visibleCount > 0;
    }

    get contactOptions() {
        return contactOptions([...this.emails, ...this.meetings]);
    }

    get dealOptions() {
        return dealOptions([...this.emails, ...this.meetings]);
    }

    get showContactFilter() {
        return this.contactOptions.length > 2;
    }

    get showDealFilter() {
        return this.dealOptions.length > 2;
    }

    handleContactChange(event) {
        this.contactId = event.detail.value ?? '';
    }

    handleDealChange(event) {
        this.dealId = event.detail.value ?? '';
    }

    handleClearFilters() {
        this.contactId = '';
        this.dealId = '';
    }

    handleToggle(event) {
        const id = event.currentTarget.dataset.id;
        const next = new Set(this.expandedIds);
        if (next.has(id)) {
            next.delete(id);
        } else {
            next.add(id);
        }
        this.expandedIds = next;
    }
}

/** A readable message from a wire error (Apex AuraHandledException, network, or JS error). */
function messageOf(error) {
    if (Array.isArray(error?.body)) {
        return error.body.map((entry) => entry.message).join(', ');
    }
    return error?.body?.message || error?.message || 'Unknown error';
}
