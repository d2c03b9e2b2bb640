# The source text's second client, for its socketserver server, as
# printed. Run from the workbook's root:
#   python3 01-raw-socket/testdata/original/client2.py
!/usr/bin/python3
import socket
params=('127.0.0.1',8809)
BUFFER_SIZE=1024 #default
cifras=[4j,4,5,17,29,2**50,2**50-1]
for cifra in cifras:
    t0=time()
    s=socket.socket(socket.AF_INET,socket.SOCK_STREAM)
    s.connect(params)
    print("Envíodeunmensaje%s"%cifra)
    s.send(('%s\n' %cifra).encode('utf8'))
    data=s.recv(BUFFER_SIZE)
    if len(data)==0:
        print("\tSinrespuestas")
    elif data==b'E\n':
        print("\tSehaproducidounerroren elservidor")
    elif data==b'T\n':
        print("\tSetratadeunnúmeroprimo")
    elif data==b'F\n':
        print("\tElnúmeronoesprimo")
    else:
        print("\tEldato recibidonosecomprende:%s" %data)
    s.close()
    print("\tTiempoutilizado:%s"%(time()-t0))
