import { escapeHtml, jsonForScript } from './escape.js';
import type { FlameData } from './flame-data.js';

/**
 * One self-contained HTML file (no network) with a canvas flame graph: click to zoom, regex search with the
 * matched share, flame/icicle, tooltips with self/total. Names reach the page only as JSON data and are drawn
 * with fillText/textContent, never as markup.
 */
export function flameHtml(data: FlameData): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(data.title)} — perfloop flame graph</title>
<style>
body{margin:0;font:12px system-ui,sans-serif;background:#fff;color:#222}
header{display:flex;gap:12px;align-items:center;padding:8px 12px;border-bottom:1px solid #ddd;flex-wrap:wrap}
header h1{font-size:14px;margin:0}
input[type=search]{width:260px}
#tip{position:fixed;pointer-events:none;background:#222;color:#fff;padding:6px 8px;border-radius:4px;max-width:560px;display:none;white-space:pre-wrap}
canvas{display:block;width:100%}
#status{color:#555}
</style></head><body>
<header><h1>${escapeHtml(data.title)}</h1>
<input id="q" type="search" placeholder="search (regex)"><span id="status"></span>
<label><input id="icicle" type="checkbox"> icicle</label><button id="reset">reset zoom</button></header>
<canvas id="c"></canvas><div id="tip"></div>
<script type="application/json" id="flame-data">${jsonForScript(data)}</script>
<script>
(function(){
var D=JSON.parse(document.getElementById('flame-data').textContent);
var N=D.frame.length, ROW=18, kids=[], depth=new Int32Array(N), maxDepth=0, roots=[];
for(var i=0;i<N;i++){kids.push([]);}
for(var i=0;i<N;i++){var p=D.parent[i]; if(p<0){roots.push(i);depth[i]=0;} else {kids[p].push(i);depth[i]=depth[p]+1;} if(depth[i]>maxDepth)maxDepth=depth[i];}
var byTotal=function(a,b){return D.total[b]-D.total[a];};
roots.sort(byTotal); for(var i=0;i<N;i++)kids[i].sort(byTotal);
var rootTotal=0; for(var r=0;r<roots.length;r++)rootTotal+=D.total[roots[r]];
var x0=new Float64Array(N), focus=-1, re=null, rects=[];
var cv=document.getElementById('c'), ctx=cv.getContext('2d'), tip=document.getElementById('tip');
function layout(){ // x offsets in weight units, iterative (stacks can be deep)
  var stack=[], acc=0; for(var r=0;r<roots.length;r++){x0[roots[r]]=acc;acc+=D.total[roots[r]];stack.push(roots[r]);}
  while(stack.length){var n=stack.pop(),a=x0[n];for(var k=0;k<kids[n].length;k++){var c=kids[n][k];x0[c]=a;a+=D.total[c];stack.push(c);}}
}
function color(i){var name=D.names[D.frame[i]],h=0;for(var k=0;k<name.length;k++)h=(h*31+name.charCodeAt(k))>>>0;
  var cat=D.categories[D.frame[i]]; var base={'database':200,'serialization':30,'logging':280,'gc':0,'regexp':320,'node core':90,'your code':15}[cat];
  return 'hsl('+(base===undefined?(20+h%40):base+(h%20))+','+(55+h%25)+'%,'+(60+h%15)+'%)';}
function draw(){
  var W=cv.clientWidth, dpr=window.devicePixelRatio||1, H=(maxDepth+2)*ROW;
  cv.width=W*dpr; cv.height=H*dpr; cv.style.height=H+'px'; ctx.setTransform(dpr,0,0,dpr,0,0);
  ctx.clearRect(0,0,W,H); ctx.font='11px system-ui,sans-serif'; ctx.textBaseline='middle'; rects=[];
  var start=focus<0?0:x0[focus], span=focus<0?rootTotal:D.total[focus], fd=focus<0?0:depth[focus];
  var ice=document.getElementById('icicle').checked, matched=0;
  for(var i=0;i<N;i++){
    var x=(x0[i]-start)/span*W, w=D.total[i]/span*W;
    if(x+w<0||x>W||w<0.3) continue;
    if(focus>=0&&depth[i]>=fd&&!within(i,focus)) continue;
    var d=depth[i]-(focus<0?0:0), y=ice?d*ROW:(maxDepth-d)*ROW;
    var hit=re&&re.test(D.names[D.frame[i]]);
    ctx.fillStyle=hit?'#e040fb':color(i); ctx.fillRect(x,y,Math.max(w-0.5,0.5),ROW-1);
    if(w>30){ctx.fillStyle='#000';ctx.save();ctx.beginPath();ctx.rect(x,y,w-2,ROW);ctx.clip();ctx.fillText(D.names[D.frame[i]],x+3,y+ROW/2);ctx.restore();}
    rects.push([x,y,w,i]);
  }
  if(re){var seen=new Uint8Array(N);for(var i=0;i<N;i++){if(re.test(D.names[D.frame[i]])&&!anc(i,seen)){matched+=D.total[i];seen[i]=1;}}
    document.getElementById('status').textContent='matched '+(100*matched/rootTotal).toFixed(1)+'% of the profile';}
  else document.getElementById('status').textContent=fmt(rootTotal)+' total';
}
function anc(i,seen){for(var p=D.parent[i];p>=0;p=D.parent[p])if(seen[p])return true;return false;}
function within(i,f){for(var p=i;p>=0;p=D.parent[p])if(p===f)return true;return false;}
function fmt(v){var u=D.unit;if(u==='us')return v>=1e6?(v/1e6).toFixed(2)+' s':(v/1e3).toFixed(1)+' ms';if(u==='ns')return (v/1e6).toFixed(1)+' ms';if(u==='bytes')return (v/1048576).toFixed(2)+' MB';return Math.round(v)+' '+u;}
function at(ev){var b=cv.getBoundingClientRect(),x=ev.clientX-b.left,y=ev.clientY-b.top;for(var k=rects.length-1;k>=0;k--){var r=rects[k];if(x>=r[0]&&x<=r[0]+r[2]&&y>=r[1]&&y<=r[1]+ROW)return r[3];}return -1;}
cv.addEventListener('click',function(ev){var i=at(ev);focus=i;draw();});
cv.addEventListener('mousemove',function(ev){var i=at(ev);if(i<0){tip.style.display='none';return;}
  tip.textContent=D.names[D.frame[i]]+(D.locations[D.frame[i]]?'\\n'+D.locations[D.frame[i]]:'')+(D.categories[D.frame[i]]?'\\ncategory: '+D.categories[D.frame[i]]:'')+
  '\\ntotal: '+fmt(D.total[i])+' ('+(100*D.total[i]/rootTotal).toFixed(2)+'%)\\nself: '+fmt(D.self[i])+' ('+(100*D.self[i]/rootTotal).toFixed(2)+'%)';
  tip.style.display='block';tip.style.left=Math.min(ev.clientX+12,window.innerWidth-400)+'px';tip.style.top=(ev.clientY+12)+'px';});
cv.addEventListener('mouseleave',function(){tip.style.display='none';});
document.getElementById('q').addEventListener('input',function(e){try{re=e.target.value?new RegExp(e.target.value):null;}catch(_){re=null;}draw();});
document.getElementById('reset').addEventListener('click',function(){focus=-1;draw();});
document.getElementById('icicle').addEventListener('change',draw);
window.addEventListener('resize',draw);
layout();draw();
})();
</script></body></html>
`;
}
