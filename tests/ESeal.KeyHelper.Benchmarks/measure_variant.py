# Size, cold start (5 starts -> first 200 of GET /v1/info, median) and VmRSS after 100 POST /v1/sign of one
# published variant: python3 measure_variant.py BINARY_OR_DLL PKI_DIR  (see README "Publish variants").
import json,subprocess,time,urllib.request,sys,os,socket
binary=sys.argv[1]; pki=json.load(open(sys.argv[2] + '/summary.json'))  # DIR from: ESeal.TestPki init --dir DIR
tok=[t for t in pki['tokens'] if t['label']=='ESEAL-DEMO-HZ'][0]; cert=tok['certificates'][0]
def port():
    s=socket.socket(); s.bind(('127.0.0.1',0)); p=s.getsockname()[1]; s.close(); return p
def start(p):
    cmd=([binary] if not binary.endswith('.dll') else ['dotnet','exec',binary])+[f'--KeyHelper:Port={p}','--KeyHelper:AllowedOrigins:0=http://localhost:5080','--KeyHelper:Pkcs11Modules:0=/usr/lib/softhsm/libsofthsm2.so',f'--KeyHelper:StateDirectory=/tmp/eseal-measure-state-{p}']
    env=dict(os.environ,SOFTHSM2_CONF=pki['softHsm2Conf'])
    t=time.time(); pr=subprocess.Popen(cmd,env=env,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
    while True:
        try:
            urllib.request.urlopen(f'http://127.0.0.1:{p}/v1/info',timeout=2).read(); return pr,time.time()-t
        except Exception: time.sleep(0.005)
starts=[]
for i in range(5):
    p=port(); pr,dt=start(p); starts.append(dt); pr.kill(); pr.wait()
p=port(); pr,_=start(p)
for i in range(100):
    body=json.dumps({"tokenSerial":tok['serial'],"certificateId":cert['id'],"pin":"123456","nonce":f"n{i}","context":f"eseal-proof/1;action=bind;token={tok['serial']};cert={cert['sha256']}"}).encode()
    r=urllib.request.Request(f'http://127.0.0.1:{p}/v1/sign',data=body,headers={'Content-Type':'application/json','Origin':'http://localhost:5080'})
    urllib.request.urlopen(r).read()
rss=[l for l in open(f'/proc/{pr.pid}/status') if l.startswith('VmRSS')][0].split()[1]
pr.kill()
size=os.path.getsize(binary) if not binary.endswith('.dll') else 0
print(f"{binary}: size {size/1048576:.1f} MB, cold start median {sorted(starts)[2]*1000:.0f} ms (min {min(starts)*1000:.0f}), RSS after 100 signatures {int(rss)/1024:.1f} MB")
