global using DataSpace.Api.Auth;
global using DataSpace.Api.Http;
global using DataSpace.Api.Problems;
global using Microsoft.AspNetCore.Http.HttpResults;
