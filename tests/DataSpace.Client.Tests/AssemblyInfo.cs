// The same throwaway PostgreSQL and Azurite as the API tests, started once for this assembly.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
[assembly: AssemblyFixture(typeof(TestServers))]
