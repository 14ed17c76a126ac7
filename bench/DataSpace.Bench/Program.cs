using DataSpace.Bench;

// The bench harness's own logic that is not load generation: JSON read from the API's answers, the results file,
// medians and the report. bench/run.sh calls it; ./dataspace bench builds it. Usage: see Commands.Usage.
return Commands.Run(args, Console.In, Console.Out, Console.Error);
