# The source text's isprime and first server: its cells in order, as
# printed. Run from the workbook's root:
#   python3 01-raw-socket/testdata/original/server.py
def isprime(n):
  '''check ifintegernisaprime'''
#negativenumbers,0and1arenotprimes
  if n<2:
    return False
#2 istheonlyeven primenumber
  if n==2:
    return True
#allotherevennumbersarenotprimes
  if not n&1:
    return False
  #rangestarts with3andonlyneedstogoupthesquareroot
  #ofnforall oddnumbers
  for x in range(3,int(n**0.5)+1,2):
    if  n%x==0:
      return False
    return True


#!/usr/bin/python3
import socket
params=('127.0.0.1',8809)
BUFFER_SIZE=1024 #default
datos= {}
s=socket.socket(socket.AF_INET,socket.SOCK_STREAM)#Internet,TCP
s.bind(params)
s.listen(1)
conn,addr=s.accept()
print('Conexiónaceptada:%s'%str(addr))
while True:
	data =conn.recv(BUFFER_SIZE)
	if not data:
		break
	print('Datorecibido:%s'%data)
	try:number=int(data)
	except:
		response=b'E'
		phrase ="'%s'noesunnúmeroentero"%data
	else:
		if isprime(number):
			phrase= "’%s’esunnúmeroprimo"%number
			response =b'T'
		else:
			phrase= "’%s’noesunnúmeroprimo"%number
			response =b'F'
	finally:
		print(response)
		print(phrase)
		conn.send(response)
		conn.close()
