import IMAPServer
print("mailshard: \(IMAPServerModule.name)")
