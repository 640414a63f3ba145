from slatui.cli import main

main()
