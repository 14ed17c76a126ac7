global using DataSpace.Api.Tests.Infrastructure;
global using Xunit;
