from xhsvc.cli.launch import main

main()
