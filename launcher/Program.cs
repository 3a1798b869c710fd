Console.WriteLine("launcher");
