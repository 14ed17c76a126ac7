namespace DataSpace.Contracts.Common;

/// <summary>
/// How an organisation is referred to wherever a response names one as an object (a dataset's owner, a consent's grantor
/// and grantee, a consent request's requester and unit): the same two members everywhere.
/// </summary>
/// <param name="Id">The organisation's id (GET /v1/organizations/{id} for the operator; /me for your own).</param>
/// <param name="Name">Its registered name.</param>
public sealed record OrganizationRef(string Id, string Name);
