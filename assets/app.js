// The page's script; a file of its own so that the Content-Security-Policy in _headers needs no 'unsafe-inline'.
const $ = (id) => document.getElementById(id);
const percent = (x) => (x > 0 && x < 0.001 ? '<0.1%' : `${(100 * x).toFixed(1)}%`);

function showProblem(message) {
  $('problem').textContent = message;
  $('problem').hidden = false;
  $('result').hidden = true;
}

function showResult(result) {
  $('problem').hidden = true;
  $('sum').textContent = result.q.replace('+', ' + ');
  $('answer').textContent = result.answer === '' ? '(nothing)' : result.answer;
  const verdict = $('verdict');
  verdict.className = `verdict ${result.correct ? 'right' : 'wrong'}`;
  verdict.textContent = result.correct
    ? `✓ Correct: ${result.q.replace('+', ' + ')} = ${result.expected}`
    : `✗ Wrong: ${result.q.replace('+', ' + ')} = ${result.expected}`;
  $('confidence').textContent = percent(result.confidence);
  const digits = $('digits');
  digits.replaceChildren(...result.digits.map(({ char, probability }) => {
    const box = document.createElement('div');
    box.className = char === ' ' ? 'digit pad' : 'digit';
    box.title = `${char === ' ' ? 'padding' : char}: ${percent(probability)}`;
    const c = document.createElement('div');
    c.className = 'char';
    c.textContent = char === ' ' ? '␣' : char;
    const bar = document.createElement('div');
    bar.className = 'bar';
    const fill = document.createElement('span');
    fill.style.width = `${(100 * probability).toFixed(1)}%`;
    bar.append(fill);
    const p = document.createElement('div');
    p.className = 'p';
    p.textContent = percent(probability);
    box.append(c, bar, p);
    return box;
  }));
  $('result').hidden = false;
}

async function ask(q) {
  $('submit').disabled = true;
  try {
    const response = await fetch(`/add?q=${encodeURIComponent(q)}`, { headers: { Accept: 'application/json' } });
    const body = await response.json();
    if (!response.ok) {
      showProblem(body.error ? body.error.message : `The server answered HTTP ${response.status}.`);
      if (response.status === 503) $('model').textContent = 'The model is unavailable right now.';
      return;
    }
    showResult(body);
  } catch (error) {
    showProblem('The server could not be reached. Check your connection and try again.');
  } finally {
    $('submit').disabled = false;
  }
}

async function describeModel() {
  try {
    const health = await fetch('/health');
    if (!health.ok) {
      const body = await health.json().catch(() => ({}));
      const reason = body.error ? body.error.message : `HTTP ${health.status}`;
      $('model').textContent = `The model is unavailable: ${reason}`;
      showProblem(`The model is unavailable, so sums cannot be answered right now. ${reason}`);
      return;
    }
    const model = await (await fetch('/model')).json();
    $('max-digits').textContent = String(model.digits);
    $('model').textContent =
      `On ${model.test.count.toLocaleString('en')} held-out sums it got ${percent(model.test.exactMatchAccuracy)} ` +
      `of the answers exactly right (${percent(model.test.perCharacterAccuracy)} of the characters), ` +
      `after ${model.training.epochsDone} ${model.training.epochsDone === 1 ? 'epoch' : 'epochs'} of training. ` +
      `${model.parameters.toLocaleString('en')} parameters.`;
  } catch (error) {
    $('model').textContent = 'The model is unavailable: the server could not be reached.';
  }
}

$('form').addEventListener('submit', (event) => {
  event.preventDefault();
  ask($('query').value);
});
for (const example of document.querySelectorAll('[data-q]')) {
  example.addEventListener('click', () => {
    $('query').value = example.dataset.q;
    ask(example.dataset.q);
  });
}
describeModel();
