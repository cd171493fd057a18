/** Names for the answers the console uses, taken from the generated schema (never typed by hand). */
import type { paths } from './schema';

type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;

export type Me = Json<'/api/me', 'get'>;
export type Role = Me['role'];
export type LiveSummary = Json<'/api/live/summary', 'get'>;
export type Tally = LiveSummary['totals'];
export type WindowTally = LiveSummary['windows'][number];
export type DepartmentTally = LiveSummary['departments'][number];
export type FeedItem = Json<'/api/live/feed', 'get'>[number];
export type ScreenLink = Json<'/api/screen-links', 'get'>[number];
export type Department = Json<'/api/departments', 'get'>[number];
export type ServiceItem = Json<'/api/items', 'get'>[number];
export type Account = Json<'/api/accounts', 'get'>[number];
export type Provisioning = Json<'/api/provisioning', 'get'>;
export type CaptureState = Json<'/api/badge-captures/{captureId}', 'get'>;
export type IntegrityReport = Json<'/api/integrity', 'get'>;
export type IntegrityFlag = IntegrityReport['flags'][number]['flag'];
export type FlaggedRating = Json<'/api/integrity/ratings', 'get'>['ratings'][number];
export type AuditEntry = Json<'/api/audit', 'get'>['entries'][number];
export type WindowRow = Json<'/api/windows', 'get'>[number];
export type StaffRow = Json<'/api/staff', 'get'>[number];
export type DeviceView = Json<'/api/devices', 'get'>[number];
/** An alert as GET /api/alerts lists it and the live stream's `alert` event carries it. */
export type AlertView = Json<'/api/alerts', 'get'>[number];
export type PhotoSaved = Json<'/api/staff/{staffId}/photo', 'put'>;
export type FollowupList = Json<'/api/followups', 'get'>;
export type FollowupView = FollowupList['followups'][number];
export type FollowupSummary = Json<'/api/followups/summary', 'get'>;
export type FollowupDetail = Json<'/api/followups/{id}', 'get'>;
export type FollowupEvent = FollowupDetail['events'][number];
export type FollowupAttachment = FollowupEvent['attachments'][number];
export type AppealView = FollowupDetail['appeals'][number];
export type FollowupAction = NonNullable<FollowupView['next']>;
/** What a step's `attachments` names: the sha256 the upload answered and a name to show. */
export type AttachmentRef = NonNullable<NonNullable<paths['/api/followups/{id}/verify']['post']['requestBody']>['content']['application/json']['attachments']>[number];
export type ReportSnapshotList = Json<'/api/reports', 'get'>;
export type ReportSnapshot = ReportSnapshotList['snapshots'][number];
export type ReportKind = ReportSnapshot['kind'];
export type ReportWithContent = Json<'/api/reports/{snapshotId}', 'get'>;
export type ReportContent = ReportWithContent['content'];
export type QuarterlyReportContent = Extract<ReportContent, { kind: 'quarterly' }>;
export type ReportFigures = ReportContent['totals'];
export type ReportMeasureKey = keyof ReportFigures['measures'];
export type ReportMeasure = NonNullable<ReportFigures['measures'][ReportMeasureKey]>;
export type ReportRanking = ReportContent['rankings']['departments'];
export type ReportRanked = ReportRanking['ranked'][number];
export type ReportVerification = Json<'/api/reports/{snapshotId}/verify', 'get'>;
