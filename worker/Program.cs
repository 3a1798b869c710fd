Host.CreateApplicationBuilder(args).Build().Run();
