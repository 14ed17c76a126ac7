namespace DataSpace.Api.Problems;

/// <summary>Stable machine-readable <c>code</c> values of RFC 9457 problems. Clients switch on these, so they never change.</summary>
internal static class ProblemCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string MalformedJson = "malformed_json";
    public const string UnknownMember = "unknown_member";
    public const string BadRequest = "bad_request";
    public const string AuthenticationRequired = "authentication_required";
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";
    public const string RoleRequired = "role_required";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string PayloadTooLarge = "payload_too_large";
    public const string TooManyConcurrentUploads = "too_many_concurrent_uploads";
    public const string VerificationInProgress = "verification_in_progress";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string ContentTypeMismatch = "content_type_mismatch";
    public const string Conflict = "conflict";
    public const string InternalError = "internal_error";
    public const string DatabaseUnavailable = "database_unavailable";
    public const string ServiceUnavailable = "service_unavailable";
    public const string NotReady = "not_ready";

    public const string OrganizationNotFound = "organization_not_found";
    public const string OrganizationExists = "organization_exists";
    public const string ClientNotFound = "client_not_found";

    public const string InvalidCredentials = "invalid_credentials";
    public const string SignInThrottled = "sign_in_throttled";
    public const string CsrfTokenInvalid = "csrf_token_invalid";
    public const string UserExists = "user_exists";
    public const string UserNotFound = "user_not_found";
    public const string CannotRemoveSelf = "cannot_remove_self";

    // Codes of a console user's password change (Features/Console, rules in Features/Users/PasswordRules).
    public const string CurrentPasswordWrong = "current_password_wrong";
    public const string PasswordChangeThrottled = "password_change_throttled";
    public const string PasswordTooShort = "password_too_short";
    public const string PasswordTooLong = "password_too_long";
    public const string PasswordTooCommon = "password_too_common";
    public const string PasswordContainsEmail = "password_contains_email";
    public const string PasswordUnchanged = "password_unchanged";

    // Codes of the optional TOTP second factor (Features/Console/ConsoleTotpEndpoints and sign-in).
    public const string TotpRequired = "totp_required";
    public const string TotpCodeInvalid = "totp_code_invalid";
    public const string TotpCodeUsed = "totp_code_used";
    public const string TotpThrottled = "totp_throttled";
    public const string TotpAlreadyEnabled = "totp_already_enabled";
    public const string TotpNotEnabled = "totp_not_enabled";
    public const string TotpEnrolmentInvalid = "totp_enrolment_invalid";

    public const string AuditChainBroken = "audit_chain_broken";
    public const string AuditCheckpointNotFound = "audit_checkpoint_not_found";

    public const string DatasetNotFound = "dataset_not_found";
    public const string NotDatasetOwner = "not_dataset_owner";
    public const string CoreDataRefused = "core_data_refused";
    public const string AccessModeFixed = "access_mode_fixed";
    public const string DatasetWithdrawn = "dataset_withdrawn";
    public const string DatasetStateConflict = "dataset_state_conflict";
    public const string DatasetHasCommittedVersion = "dataset_has_committed_version";
    public const string DatasetInUse = "dataset_in_use";
    public const string NoCommittedVersion = "no_committed_version";
    public const string VersionNotFound = "version_not_found";
    public const string VersionCommitted = "version_committed";
    public const string VersionEmpty = "version_empty";
    public const string DraftVersionExists = "draft_version_exists";
    public const string InvalidFilePath = "invalid_file_path";
    public const string FileNotFound = "file_not_found";
    public const string DigestMismatch = "digest_mismatch";
    public const string InvalidDigest = "invalid_digest";
    public const string EntitlementRequired = "entitlement_required";
    public const string RangeNotSatisfiable = "range_not_satisfiable";
    public const string BlobStoreUnavailable = "blob_store_unavailable";
    public const string ContentUnavailable = "content_unavailable";
    public const string VersionContentMissing = "version_content_missing";
    public const string RenditionPending = "rendition_pending";
    public const string RenditionUnavailable = "rendition_unavailable";
    public const string UnsupportedFormat = "unsupported_format";

    public const string ConsentRequired = "consent_required";
    public const string ConsentRevoked = "consent_revoked";
    public const string ConsentExpired = "consent_expired";
    public const string ConsentNotYetValid = "consent_not_yet_valid";
    public const string ConsentScopeMismatch = "consent_scope_mismatch";
    public const string ConsentNotFound = "consent_not_found";
    public const string ConsentAlreadyRevoked = "consent_already_revoked";
    public const string ConsentRequestNotFound = "consent_request_not_found";
    public const string ConsentRequestNotPending = "consent_request_not_pending";
    public const string ConsentRequestExpired = "consent_request_expired";
    public const string ConsentWidened = "consent_widened";

    // Access beyond payment (issue 18): access policies, requests, grants and usage policies.
    public const string PolicyPurposeMismatch = "policy_purpose_mismatch";
    public const string PolicyExpired = "policy_expired";
    public const string PolicyNotYetValid = "policy_not_yet_valid";
    public const string PolicyCountExceeded = "policy_count_exceeded";
    public const string PolicyAssigneeMismatch = "policy_assignee_mismatch";
    public const string PolicyVersionMismatch = "policy_version_mismatch";
    public const string PolicyNeedsGatedAccess = "policy_needs_gated_access";
    public const string PolicyResaleProhibited = "policy_resale_prohibited";
    public const string PolicyOnwardTransferProhibited = "policy_onward_transfer_prohibited";
    public const string AccessRequestRequired = "access_request_required";
    public const string AccessRequestPending = "access_request_pending";
    public const string AccessRequestRejected = "access_request_rejected";
    public const string AccessRequestExpired = "access_request_expired";
    public const string AccessRequestNotFound = "access_request_not_found";
    public const string AccessRequestNotPending = "access_request_not_pending";
    public const string AccessRequestOpen = "access_request_open";
    public const string AccessNotRequestable = "access_not_requestable";
    public const string GrantNotFound = "grant_not_found";
    public const string GrantNotAccepted = "grant_not_accepted";
    public const string GrantRevoked = "grant_revoked";
    public const string GrantDropped = "grant_dropped";
    public const string GrantExpired = "grant_expired";
    public const string GrantStateConflict = "grant_state_conflict";
    public const string EntitlementNotFound = "entitlement_not_found";

    public const string TermsNotFound = "terms_not_found";
    public const string TermsOutdated = "terms_outdated";
    public const string TermsNotAccepted = "terms_not_accepted";
    public const string PlanNotFound = "plan_not_found";
    public const string PlanInactive = "plan_inactive";
    public const string OwnDataset = "own_dataset";
    public const string OrderNotFound = "order_not_found";
    public const string OrderNotPayable = "order_not_payable";
    public const string OrderNotPaid = "order_not_paid";
    public const string OrderNotCancellable = "order_not_cancellable";
    public const string AmountMismatch = "amount_mismatch";
    public const string PaymentReferenceUsed = "payment_reference_used";

    public const string RecordNotFound = "record_not_found";
    public const string RecordNotEditable = "record_not_editable";
    public const string RecordNotSubmitted = "record_not_submitted";
    public const string RecordNotVerified = "record_not_verified";
    public const string RecordIncomplete = "record_incomplete";
    public const string ValuationNotFound = "valuation_not_found";
    public const string InvalidFileName = "invalid_file_name";
    public const string PolicyRequired = "policy_required";

    public static string ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => BadRequest,
        StatusCodes.Status401Unauthorized => AuthenticationRequired,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status409Conflict => Conflict,
        StatusCodes.Status413PayloadTooLarge => PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status503ServiceUnavailable => ServiceUnavailable,
        >= 500 => InternalError,
        _ => "http_" + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    // Codes of idempotency, reward runs and the payment webhook.
    public const string IdempotencyConflict = "idempotency_conflict";
    public const string IdempotencyKeyRequired = "idempotency_key_required";
    public const string IdempotencyRequestInProgress = "idempotency_request_in_progress";
    public const string InvalidIdempotencyKey = "invalid_idempotency_key";
    public const string RewardPolicyNotFound = "reward_policy_not_found";
    public const string RewardRunNotDraft = "reward_run_not_draft";
    public const string RewardRunNotFound = "reward_run_not_found";
    public const string RewardRunOverlaps = "reward_run_overlaps";
    public const string WebhookReplayed = "webhook_replayed";
    public const string WebhookSignatureInvalid = "webhook_signature_invalid";
    public const string WebhookTimestampOutOfWindow = "webhook_timestamp_out_of_window";
    public const string WebhooksNotConfigured = "webhooks_not_configured";

    // Codes of the listing review, assessors and listing certificates (issue 17).
    public const string ListingReviewRequired = "listing_review_required";
    public const string ListingNotFound = "listing_not_found";
    public const string ListingExists = "listing_exists";
    public const string ListingStateConflict = "listing_state_conflict";
    public const string AssessorNotFound = "assessor_not_found";
    public const string AssessorNotInvited = "assessor_not_invited";
    public const string AssessmentFilesNotAllowed = "assessment_files_not_allowed";
    public const string AssessmentVersionNotInvited = "assessment_version_not_invited";
    public const string AssessmentKindNotRegistered = "assessment_kind_not_registered";
    public const string AssessmentInvitationNotFound = "assessment_invitation_not_found";
    public const string AssessmentReportNotFound = "assessment_report_not_found";
    public const string AssessmentReportExpired = "assessment_report_expired";
    public const string ManifestMismatch = "manifest_mismatch";
    public const string NoticeNotOpen = "notice_not_open";
    public const string NoticePeriodRunning = "notice_period_running";
    public const string ObjectionOpen = "objection_open";
    public const string ObjectionNotFound = "objection_not_found";
    public const string CertificateNotFound = "certificate_not_found";
    // Codes of outbound webhooks (Features/Webhooks).
    public const string WebhookEndpointNotFound = "webhook_endpoint_not_found";
    public const string WebhookDeliveryNotFound = "webhook_delivery_not_found";
}
