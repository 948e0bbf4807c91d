from llmflation.cli import main

main()
