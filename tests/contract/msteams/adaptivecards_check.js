// Parse and validate Adaptive Cards with Microsoft's own adaptivecards library (the parser the
// Teams web and desktop renderers build on). Reads a JSON array of cards on stdin; writes, for
// each card, the list of problems the library reports while parsing and validating it.
"use strict";
const AC = require("adaptivecards/dist/adaptivecards.js");

// Teams' host config allows six actions (adaptivecards-designer 2.4.4,
// lib/hostConfigs/microsoft-teams-light.json: actions.maxActions = 6); the library's default
// is five. Everything else keeps the library's defaults.
const TEAMS = new AC.HostConfig({ actions: { maxActions: 6 } });

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(input).map((json) => {
    const card = new AC.AdaptiveCard();
    card.hostConfig = TEAMS;
    const context = new AC.SerializationContext();
    card.parse(json, context);
    const problems = [];
    for (let i = 0; i < context.eventCount; i++) {
      problems.push(context.getEventAt(i).message);
    }
    for (const event of card.validateProperties().validationEvents) {
      problems.push(event.message);
    }
    return problems;
  });
  process.stdout.write(JSON.stringify(results));
});
