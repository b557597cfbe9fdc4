from xhsvc.cli.main import main

main()
